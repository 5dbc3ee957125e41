// Brings cdktf's jest matcher types (toHaveResourceWithProperties, toBeValidTerraform, ...) into every test file.
import "cdktf/lib/testing/adapters/jest";
