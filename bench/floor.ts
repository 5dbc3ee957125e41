// The floor the app's synth is measured against: load cdktf and the provider classes the app loads, synthesize nothing.
import "cdktf";

for (const modulePath of JSON.parse(process.argv[2] ?? "[]") as string[]) require(modulePath);
