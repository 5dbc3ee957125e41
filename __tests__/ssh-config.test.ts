import { renderSshConfig, renderSsmCommands } from "../modules/bastion/ssh-config";

describe("ssh config block", () => {
  const text = renderSshConfig({
    bastionIp: "198.51.100.7",
    bastionUser: "ec2-user",
    identityFile: "~/.ssh/workshop",
    servers: [
      { name: "app-a1", privateIp: "192.168.10.200", user: "ec2-user" },
      { name: "db", privateIp: "192.168.10.201", user: "ubuntu" },
    ],
  });

  it("has the bastion with its public IP, and each server by private IP through ProxyJump bastion", () => {
    expect(text).toBe(
      [
        "Host bastion",
        "  HostName 198.51.100.7",
        "  User ec2-user",
        "  IdentityFile ~/.ssh/workshop",
        "  IdentitiesOnly yes",
        "  ServerAliveInterval 60",
        "",
        "Host app-a1",
        "  HostName 192.168.10.200",
        "  User ec2-user",
        "  IdentityFile ~/.ssh/workshop",
        "  IdentitiesOnly yes",
        "  ProxyJump bastion",
        "",
        "Host db",
        "  HostName 192.168.10.201",
        "  User ubuntu",
        "  IdentityFile ~/.ssh/workshop",
        "  IdentitiesOnly yes",
        "  ProxyJump bastion",
        "",
      ].join("\n"),
    );
  });

  it("leaves IdentityFile to ssh's defaults when the key was given inline", () => {
    const inline = renderSshConfig({ bastionIp: "198.51.100.7", bastionUser: "ec2-user", servers: [] });
    expect(inline).toBe("Host bastion\n  HostName 198.51.100.7\n  User ec2-user\n  ServerAliveInterval 60\n");
  });

  it("lists Session Manager commands when SSH is off", () => {
    expect(renderSsmCommands("ap-northeast-2", [{ name: "bastion", instanceId: "i-0abc" }])).toBe(
      '# SSH is off (bastion.ssm = "only"): open a shell with Session Manager.\n# bastion: aws ssm start-session --region ap-northeast-2 --target i-0abc\n',
    );
  });
});
