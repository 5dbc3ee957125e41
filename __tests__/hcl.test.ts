import { renderHcl, templateParts, tidyExpression } from "../modules/tools/terraform-module/hcl";
import { synthModuleDocument } from "../modules/tools/terraform-module/build";
import { Instance } from "@cdktf/provider-aws/lib/instance";

describe("renderHcl: Terraform JSON as native HCL", () => {
  it("writes an interpolation-only string as the bare expression, other templates quoted with escapes", () => {
    const hcl = renderHcl({
      resource: {
        aws_thing: {
          this: {
            for_each: "${local.things}",
            name: "${var.name}-${each.key}",
            quoted: 'say "hi"\\there ${upper("x")}',
            count_of: 3,
            enabled: true,
            nothing: null,
          },
        },
      },
    });
    expect(hcl).toBe(
      [
        'resource "aws_thing" "this" {',
        "  for_each = local.things",
        "",
        '  name     = "${var.name}-${each.key}"',
        '  quoted   = "say \\"hi\\"\\\\there ${upper("x")}"',
        "  count_of = 3",
        "  enabled  = true",
        "  nothing  = null",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("keeps literal strings literal: a variable default's ${ is escaped, a type is bare", () => {
    const hcl = renderHcl({
      variable: { v: { type: "map(string)", default: { a: "${not.a.reference}", "b c": "x" }, description: "D" } },
    });
    expect(hcl).toBe(
      [
        'variable "v" {',
        "  type = map(string)",
        "  default = {",
        '    a     = "$${not.a.reference}"',
        '    "b c" = "x"',
        "  }",
        '  description = "D"',
        "}",
        "",
      ].join("\n"),
    );
  });

  it("writes a multi-line template ending in a newline as a heredoc, content unchanged", () => {
    const script = "#!/bin/bash\necho \"${var.x}\" \\\ncat <<'EOT'\nEOT\n";
    const hcl = renderHcl({ resource: { aws_instance: { a: { user_data: script } } } });
    expect(hcl).toBe(`resource "aws_instance" "a" {\n  user_data = <<EOF\n${script}EOF\n}\n`);
  });

  it("writes nested blocks as blocks, lists of references bare, lifecycle last", () => {
    const hcl = renderHcl(
      {
        resource: {
          aws_x: {
            y: {
              lifecycle: { ignore_changes: ["tags"], precondition: [{ condition: "${true}", error_message: "m" }] },
              depends_on: ["aws_vpc.this"],
              ingress: [{ rule_no: 1 }, { rule_no: 2 }],
              tags: { Name: "n" },
            },
          },
        },
      },
      { aws_x: new Set(["ingress"]) },
    );
    expect(hcl).toBe(
      [
        'resource "aws_x" "y" {',
        '  tags = { Name = "n" }',
        "",
        "  ingress {",
        "    rule_no = 1",
        "  }",
        "",
        "  ingress {",
        "    rule_no = 2",
        "  }",
        "",
        "  depends_on = [aws_vpc.this]",
        "",
        "  lifecycle {",
        "    ignore_changes = [tags]",
        "",
        "    precondition {",
        "      condition     = true",
        '      error_message = "m"',
        "    }",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("refuses a top-level section it cannot write", () => {
    expect(() => renderHcl({ provider: {} })).toThrow("no HCL rendering for top-level provider");
  });
});

describe("templateParts and tidyExpression", () => {
  it("splits a template at its sequences, keeping $${ escapes and nested strings whole", () => {
    expect(templateParts('a$${b}${f("}", "${x}")}c')).toEqual([
      { literal: "a$${b}" },
      { sequence: '${f("}", "${x}")}' },
      { literal: "c" },
    ]);
    expect(() => templateParts("${open")).toThrow("unterminated");
  });

  it("spaces commas and joins a name to its parenthesis as terraform fmt does, leaving strings alone", () => {
    expect(tidyExpression('contains(["a","b"], x) && [for v in (y) : v] == ["c,d"]')).toBe(
      'contains(["a", "b"], x) && [for v in(y) : v] == ["c,d"]',
    );
  });
});

describe("block types come from the provider bindings", () => {
  it("knows aws_instance's root_block_device is a block and its ami an argument", () => {
    const { blockTypes } = synthModuleDocument((scope) => {
      new Instance(scope, "i", {
        ami: "ami-1",
        instanceType: "t3.micro",
        rootBlockDevice: { encrypted: true },
        metadataOptions: { httpTokens: "required" },
      });
    });
    expect(blockTypes.aws_instance.has("root_block_device")).toBe(true);
    expect(blockTypes.aws_instance.has("metadata_options")).toBe(true);
    expect(blockTypes.aws_instance.has("ami")).toBe(false);
  });
});
