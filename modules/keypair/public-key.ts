import { createHash, createPublicKey, JsonWebKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { ConfigProblem } from "../core/problems";
import { PublicKeySource } from "./schema";

/** A checked OpenSSH public key. */
export interface PublicKeyInfo {
  /** `ssh-ed25519` or `ssh-rsa`. */
  readonly type: string;
  /** Key size in bits. */
  readonly bits: number;
  /** The key as one `type base64 comment` line, what `aws_key_pair` takes. */
  readonly line: string;
  /** OpenSSH's SHA256 fingerprint, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
}

/** What EC2 imports: Ed25519, or RSA from 2048 bits (1024-bit RSA is refused here as too weak). */
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 4096;

const EXPECTED_KEY =
  'an OpenSSH public key line such as "ssh-ed25519 AAAA... you@laptop" (the .pub file ssh-keygen writes)';

/**
 * Parses one OpenSSH public key (text of a .pub file); a problem (`sshPublicKey.text`, as `loadPublicKey` gives for a
 * key in the config) when it is not one EC2 takes. The key data is
 * decoded here and checked by node's crypto, which builds the key from it: sshpk did this at ~40 ms of every synth.
 */
export function parsePublicKey(text: string): { key: PublicKeyInfo } | { problem: ConfigProblem } {
  const parsed = parseKeyText(text);
  if ("key" in parsed) return parsed;
  return { problem: keyProblem("sshPublicKey.text", text, parsed.problem) };
}

/** The problem of a key given at `field` as `value`, never echoing a private key. */
function keyProblem(field: string, value: string, expected: string): ConfigProblem {
  return { field, value: looksPrivate(value) ? "(a private key, redacted)" : value, expected };
}

/** `parsePublicKey`, the problem as the text of what was expected. */
function parseKeyText(text: string): { key: PublicKeyInfo } | { problem: string } {
  if (looksPrivate(text))
    return { problem: "a PUBLIC key: this is a private key, which must never leave your machine; give the .pub file" };
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (lines.length !== 1) return { problem: `${EXPECTED_KEY}; found ${lines.length} key lines` };
  const decoded = decodeOpenSshKey(lines[0]);
  if ("damage" in decoded) return { problem: `${EXPECTED_KEY} (${decoded.damage})` };
  const { type, bits, blob } = decoded;
  if (type === "ssh-rsa" && (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS)) {
    return {
      problem: `an RSA key of ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits (this one has ${bits}); ssh-keygen -t ed25519 makes a better one`,
    };
  }
  if (type !== "ssh-rsa" && type !== "ssh-ed25519") {
    return { problem: `an Ed25519 or RSA key, the types EC2 imports (this one is ${keyFamily(type)})` };
  }
  const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { key: { type, bits, line: lines[0], fingerprint } };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The parts of a `type base64 [comment]` line. The base64 is the key in SSH wire format (RFC 4253 6.6, RFC 8709):
 * length-prefixed strings, the type first, then `e` and `n` for RSA or the 32-byte point for Ed25519.
 */
function decodeOpenSshKey(line: string): { type: string; bits: number; blob: Buffer } | { damage: string } {
  const [type, data] = line.split(/\s+/);
  if (data === undefined || !BASE64.test(data)) return { damage: "no base64 key data after the key type" };
  const blob = Buffer.from(data, "base64");
  const fields: Buffer[] = [];
  for (let at = 0; at < blob.length;) {
    const length = at + 4 <= blob.length ? blob.readUInt32BE(at) : Number.POSITIVE_INFINITY;
    if (at + 4 + length > blob.length) return { damage: "the key data is cut short" };
    fields.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  const inner = fields[0]?.toString("latin1");
  if (inner !== type) return { damage: `the key data is a ${inner ?? "nothing"} key, the line says ${type}` };
  const web = webKey(type, fields.slice(1));
  if (web === undefined) return { type, bits: 0, blob };
  if ("damage" in web) return web;
  try {
    const key = createPublicKey({ key: web.jwk, format: "jwk" });
    return { type, bits: key.asymmetricKeyDetails?.modulusLength ?? 256, blob };
  } catch (error) {
    return { damage: `the key data is not a valid ${type} key: ${(error as Error).message}` };
  }
}

/** The JSON Web Key node's crypto builds an RSA or Ed25519 key from; undefined for other types, which are refused. */
function webKey(type: string, fields: Buffer[]): { jwk: JsonWebKey } | { damage: string } | undefined {
  const url = (bytes: Buffer) => bytes.toString("base64url");
  if (type === "ssh-ed25519") {
    if (fields.length !== 1 || fields[0].length !== 32) return { damage: "an Ed25519 key is one 32-byte point" };
    return { jwk: { kty: "OKP", crv: "Ed25519", x: url(fields[0]) } };
  }
  if (type === "ssh-rsa") {
    if (fields.length !== 2) return { damage: "an RSA key is an exponent and a modulus" };
    // SSH integers are signed, so a leading zero byte keeps a high bit positive; JWK wants the bare magnitude.
    const unsigned = (bytes: Buffer) => bytes.subarray(bytes.findIndex((b) => b !== 0));
    return { jwk: { kty: "RSA", e: url(unsigned(fields[0])), n: url(unsigned(fields[1])) } };
  }
  return undefined;
}

/** `ecdsa` for `ecdsa-sha2-nistp256`, `dsa` for `ssh-dss`: how people name the key types EC2 refuses. */
function keyFamily(type: string): string {
  if (type.startsWith("ecdsa-")) return "ecdsa";
  if (type === "ssh-dss") return "dsa";
  return type.replace(/^ssh-/, "");
}

/** Where a `path` source points: `~` is the home directory, a relative path is taken from `cwd`. */
export function publicKeyPath(path: string, cwd: string): string {
  return path === "~" || path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : resolve(cwd, path);
}

/**
 * Reads and checks the configured public key. The problem (field `sshPublicKey.path` or `.text`) never carries the
 * content of a private key: a private key pasted by mistake is reported as redacted.
 */
export function loadPublicKey(
  source: PublicKeySource,
  cwd = process.cwd(),
): { key: PublicKeyInfo } | { problem: ConfigProblem } {
  let text: string;
  const field = "path" in source ? "sshPublicKey.path" : "sshPublicKey.text";
  const value = "path" in source ? source.path : source.text;
  if ("path" in source) {
    const file = publicKeyPath(source.path, cwd);
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return {
        problem: {
          field,
          value,
          expected: `a readable public key file (${file}: ${reason}); make one with ssh-keygen (see docs/access-and-servers.md)`,
        },
      };
    }
  } else {
    text = source.text;
  }
  const parsed = parseKeyText(text);
  if ("key" in parsed) return parsed;
  return { problem: keyProblem(field, value, parsed.problem) };
}

function looksPrivate(text: string): boolean {
  return /PRIVATE KEY/.test(text) || /^PuTTY-User-Key-File/m.test(text);
}

/** The problems of `sshPublicKey`, for the config checks. */
export function checkPublicKey(source: PublicKeySource | undefined): ConfigProblem[] {
  if (source === undefined) return [];
  const loaded = loadPublicKey(source);
  return "problem" in loaded ? [loaded.problem] : [];
}
