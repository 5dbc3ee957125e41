# The workshop environment from HCL: a root module on the generated `environment` module.
# In a checkout: `npm run build:modules` (writes ../../terraform-modules), then `terraform init` and `terraform plan`
# here. From a release archive, unpack environment-<version>.tar.gz and point `source` at it; from a registry, use
# `source = "<namespace>/environment/aws"` with a `version` constraint.

terraform {
  required_version = ">= 1.9.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

variable "admin_cidr" {
  description = "Your own public address as a /32: the only network that may SSH to the bastion."
  type        = string
  default     = "203.0.113.10/32"
}

variable "ssh_public_key_file" {
  description = "The admins' OpenSSH public key file (ssh-keygen -t ed25519 -f ~/.ssh/workshop)."
  type        = string
  default     = "~/.ssh/workshop.pub"
}

variable "ami" {
  description = "The current Amazon Linux 2023 (or Debian 12) image of the region."
  type        = string
  default     = "ami-0123456789abcdef0"
}

provider "aws" {
  region = "ap-northeast-2"
}

module "workshop" {
  source = "../../terraform-modules/environment"

  name     = "workshop"
  region   = "ap-northeast-2"
  azs      = ["ap-northeast-2a", "ap-northeast-2b"]
  vpc_cidr = "192.168.8.0/22"
  az_slots = 4
  tiers = [
    { name = "public", type = "public", cidr_mask = 26 },
    { name = "management", type = "public", azs = ["ap-northeast-2a"], cidr_mask = 27 },
    { name = "internal", type = "private", cidr_mask = 27 },
  ]
  nat_mode = "single"
  tags     = { Project = "infra-workshop" }

  admin_cidrs    = [var.admin_cidr]
  ssh_public_key = file(pathexpand(var.ssh_public_key_file))
  ami            = var.ami
  bastion        = { tier = "management" }
  app = {
    tier               = "internal"
    service_from_tiers = ["public"]
    service = {
      port    = 8080
      command = "/usr/bin/python3 -m http.server 8080 --directory /opt/app"
    }
  }
  db = { tier = "internal" }
}

output "bastion_public_ip" {
  value = module.workshop.bastion_public_ip
}

output "private_ips" {
  value = module.workshop.private_ips
}
