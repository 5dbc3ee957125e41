import { moduleDocuments, buildModulePackages } from "./modules/tools/terraform-module/packages";
const p = buildModulePackages("0.0.0");
console.log(p[process.argv[2] as "network"]["variables.tf"]);
