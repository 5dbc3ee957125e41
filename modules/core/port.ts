/** A protocol and an inclusive range of ports, as a security group rule takes them. */
export interface PortRange {
  /** IP protocol of the rule; `-1` is every protocol and port (`Port.allTraffic()`). */
  readonly protocol: "tcp" | "udp" | "-1";
  /** First port of the range. */
  readonly from: number;
  /** Last port of the range (equal to `from` for one port). */
  readonly to: number;
}

/** Builders for port ranges, named after AWS CDK's `ec2.Port`. */
export const Port = {
  /** One TCP port. */
  tcp: (port: number): PortRange => ({ protocol: "tcp", from: port, to: port }),
  /** TCP ports `from` to `to`, both included. */
  tcpRange: (from: number, to: number): PortRange => ({ protocol: "tcp", from, to }),
  /** One UDP port. */
  udp: (port: number): PortRange => ({ protocol: "udp", from: port, to: port }),
  /** UDP ports `from` to `to`, both included. */
  udpRange: (from: number, to: number): PortRange => ({ protocol: "udp", from, to }),
  /** Every protocol and port (the rule's `ip_protocol = "-1"`); the admin ports among them. */
  allTraffic: (): PortRange => ({ protocol: "-1", from: 0, to: 65535 }),
  /** SSH, TCP 22. */
  SSH: { protocol: "tcp", from: 22, to: 22 } as PortRange,
};

/**
 * Ports that give a shell or remote control of a machine: never open to the whole internet without an explicit,
 * loudly named override. SSH, telnet, RDP, WinRM (HTTP and HTTPS), VNC.
 */
export const ADMIN_PORT_NAMES: Readonly<Record<number, string>> = {
  22: "SSH",
  23: "telnet",
  3389: "RDP",
  5985: "WinRM",
  5986: "WinRM",
  5900: "VNC",
};

/** The administration ports (SSH, telnet, RDP, WinRM, VNC) that no rule may open to the whole internet. */
export const ADMIN_PORTS: readonly number[] = Object.keys(ADMIN_PORT_NAMES).map(Number);

/** `tcp22` or `tcp8000-8100`: used in construct ids and messages. */
export function portLabel(range: PortRange): string {
  if (range.protocol === "-1") return "all";
  return range.from === range.to ? `${range.protocol}${range.from}` : `${range.protocol}${range.from}-${range.to}`;
}

/** The admin ports inside `range`. */
export function adminPortsIn(range: PortRange): number[] {
  if (range.protocol === "-1") return [...ADMIN_PORTS];
  return range.protocol === "tcp" ? ADMIN_PORTS.filter((p) => p >= range.from && p <= range.to) : [];
}
