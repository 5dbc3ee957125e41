/** GetProviderSchema's answer (protobuf) with only the resource and data source schemas whose type `keep` accepts. */
export function filterSchema(message: Buffer, keep: (type: string) => boolean): Buffer;
/** Every `aws_*` word in the files of `dir` Terraform reads: its config, the modules init installed, its state. */
export function typesNamedIn(dir: string): Set<string>;
/** Starts the proxy on the unix socket `socket` in front of the provider at `upstream`; resolves to its stop function. */
export function startSchemaProxy(options: {
  socket: string;
  upstream: string;
  cacheFile: string;
  names: Set<string>;
}): Promise<() => void>;
