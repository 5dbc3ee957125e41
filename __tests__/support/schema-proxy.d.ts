/** GetProviderSchema's answer (protobuf) with only the resource and data source schemas whose type `keep` accepts. */
export function filterSchema(message: Buffer, keep: (type: string) => boolean): Buffer;
/** The text of the files Terraform reads in `dir`: its config (installed and local modules too) and its state. */
export function terraformFiles(dir: string): { config: string[]; state: string[] };
/** Every `aws_*` word in `texts`: the AWS types they may name. */
export function typesNamedIn(texts: readonly string[]): Set<string>;
/** Starts the proxy on the unix socket `socket` in front of the provider at `upstream`; resolves to its stop function. */
export function startSchemaProxy(options: {
  socket: string;
  upstream: string;
  cacheFile: string;
  names: Set<string>;
}): Promise<() => void>;
