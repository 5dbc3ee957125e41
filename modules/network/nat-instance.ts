import { Construct } from "constructs";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { AmiSource, resolveAmiId } from "../instance/ami";
import { INSTANCE_DEFAULTS } from "../instance/schema";
import { installPackages, OS_PACKAGES, renderHardening, renderScript } from "../instance/user-data";
import { InstanceRole } from "../instance/instance-role";
import { ebsOptimizedFor } from "../instance/ebs-optimized";

export interface NatInstanceConstructProps {
  /** Environment name, for Name tags. */
  readonly environment: string;
  readonly vpcId: string;
  /** Only traffic from inside the VPC is forwarded. */
  readonly vpcCidr: string;
  /** A public subnet. */
  readonly subnetId: string;
  readonly az: string;
  readonly ami: AmiSource;
  readonly instanceType: string;
  /** CloudWatch detailed (1-minute) monitoring. @default false */
  readonly detailedMonitoring?: boolean;
}

/** Settings of the NAT instance's user data. */
export interface NatInstanceUserDataOptions {
  /** Only traffic from this block is forwarded and masqueraded. */
  readonly vpcCidr: string;
  /** Idle shell timeout (`TMOUT`) in seconds. @default INSTANCE_DEFAULTS.sessionTimeoutSeconds */
  readonly sessionTimeoutSeconds?: number;
}

/**
 * The NAT's netfilter rules in `iptables-restore` format: masquerade what leaves the VPC from inside it, forward only
 * traffic from the VPC and the replies to it (FORWARD drops the rest). The same file loads at every boot.
 */
export function renderNatRules(vpcCidr: string): string {
  return `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s ${vpcCidr} ! -d ${vpcCidr} -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s ${vpcCidr} -j ACCEPT
-A FORWARD -d ${vpcCidr} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
`;
}

/** The forwarding sysctls, in their own file, applied with `sysctl -p` of that file only. */
export const NAT_SYSCTL = `net.ipv4.ip_forward = 1
net.ipv4.conf.all.send_redirects = 0
`;

/**
 * The NAT instance's first-boot script: the hardening every instance gets (idle timeout, execve audit; no SSH, since
 * nothing may reach it on 22), then forwarding and masquerading made to survive reboots: the sysctl file and the
 * rules file load at boot (iptables.service on Amazon Linux 2023, netfilter-persistent on Debian).
 */
export function renderNatInstanceUserData(options: NatInstanceUserDataOptions): string {
  const rules = renderNatRules(options.vpcCidr).trimEnd();
  return renderScript(
    renderHardening({
      sessionTimeoutSeconds: options.sessionTimeoutSeconds ?? INSTANCE_DEFAULTS.sessionTimeoutSeconds,
      sshMaxAuthTries: INSTANCE_DEFAULTS.sshMaxAuthTries,
      ssh: false,
      allowTcpForwarding: false,
      lockAuditRules: false,
    }),
    `# Forwarding: this file only (sysctl --system would fail the script on any other file's key this kernel lacks).
cat > /etc/sysctl.d/90-nat-instance.conf <<'CONF'
${NAT_SYSCTL.trimEnd()}
CONF
sysctl -p /etc/sysctl.d/90-nat-instance.conf
${installPackages(OS_PACKAGES.natPersistence)}if command -v dnf >/dev/null; then rules_file=/etc/sysconfig/iptables; else rules_file=/etc/iptables/rules.v4; fi
install -d -m 0755 "$(dirname "$rules_file")"
cat > "$rules_file" <<'RULES'
${rules}
RULES
chmod 0600 "$rules_file"
iptables-restore < "$rules_file"
if command -v dnf >/dev/null; then systemctl enable iptables.service; else systemctl enable netfilter-persistent.service; fi
iptables -t nat -S POSTROUTING | grep -q -- '-j MASQUERADE' || { echo "NAT: the MASQUERADE rule is not loaded" >&2; exit 1; }
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || { echo "NAT: IPv4 forwarding is off" >&2; exit 1; }
`,
  );
}

/** The NAT instance's own settings, shared with the generated Terraform module (modules/terraform-module). */
export const NAT_INSTANCE_SETTINGS = {
  // A NAT forwards packets that are neither from nor to itself.
  sourceDestCheck: false,
  // associate_public_ip_address stays unset: the instance's Elastic IP would read back as `true` and replace it on
  // every deploy (see launchAddressSettings); its public subnet assigns no address at launch.
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, volumeType: "gp3" },
  userDataReplaceOnChange: true,
};

/** The NAT instance's security group and rule descriptions, shared with the generated Terraform module. */
export const NAT_INSTANCE_GROUP = {
  description: "NAT instance: forwards traffic from inside the VPC",
  fromVpc: "All traffic from inside the VPC, to be forwarded",
  toInternet: "Forwarded traffic out to the internet",
};

/** One NAT instance with its security group and Elastic IP: the cheap, single-instance egress for private tiers. */
export class NatInstance extends Construct {
  readonly instance: Instance;
  readonly eip: Eip;
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NatInstanceConstructProps) {
    super(scope, id);
    const tags = { Name: `${props.environment}-nat-instance-${props.az}` };
    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${props.environment}-nat-instance-${props.az}`,
      description: NAT_INSTANCE_GROUP.description,
      vpcId: props.vpcId,
      tags,
    });
    new VpcSecurityGroupIngressRule(this, "FromVpc", {
      securityGroupId: this.securityGroup.id,
      description: NAT_INSTANCE_GROUP.fromVpc,
      ipProtocol: "-1",
      cidrIpv4: props.vpcCidr,
    });
    new VpcSecurityGroupEgressRule(this, "ToInternet", {
      securityGroupId: this.securityGroup.id,
      description: NAT_INSTANCE_GROUP.toInternet,
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    });
    this.instance = new Instance(this, "Instance", {
      ami: resolveAmiId(this, "Ami", props.ami),
      instanceType: props.instanceType,
      subnetId: props.subnetId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      ...NAT_INSTANCE_SETTINGS,
      userData: renderNatInstanceUserData({ vpcCidr: props.vpcCidr }),
      // An instance profile with no permissions: nothing falls back to an account default (CKV2_AWS_41).
      iamInstanceProfile: new InstanceRole(this, "InstanceRole", {
        environment: props.environment,
        role: `nat-instance-${props.az}`,
      }).name,
      ebsOptimized: ebsOptimizedFor(props.instanceType),
      monitoring: props.detailedMonitoring === true,
      tags,
    });
    this.eip = new Eip(this, "Eip", { domain: "vpc", instance: this.instance.id, tags });
  }
}
