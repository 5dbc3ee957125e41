import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import sshpk from "sshpk";
import { ConfigProblem } from "../config/problems";
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

/** Parses one OpenSSH public key (text of a .pub file) with sshpk; a problem string when it is not one EC2 takes. */
export function parsePublicKey(text: string): { key: PublicKeyInfo } | { problem: string } {
  if (looksPrivate(text))
    return { problem: "a PUBLIC key: this is a private key, which must never leave your machine; give the .pub file" };
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (lines.length !== 1) return { problem: `${EXPECTED_KEY}; found ${lines.length} key lines` };
  let key: sshpk.Key;
  try {
    key = sshpk.parseKey(lines[0], "ssh");
  } catch (error) {
    return {
      problem: `${EXPECTED_KEY} (${(error as Error).message.replace(/^Failed to parse \(unnamed\) as a valid ssh format key: /, "")})`,
    };
  }
  if (key.type === "rsa" && (key.size < MIN_RSA_BITS || key.size > MAX_RSA_BITS)) {
    return {
      problem: `an RSA key of ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits (this one has ${key.size}); ssh-keygen -t ed25519 makes a better one`,
    };
  }
  if (key.type !== "rsa" && key.type !== "ed25519") {
    return { problem: `an Ed25519 or RSA key, the types EC2 imports (this one is ${key.type})` };
  }
  return {
    key: {
      type: lines[0].split(/\s+/)[0],
      bits: key.size,
      line: lines[0],
      fingerprint: key.fingerprint("sha256").toString(),
    },
  };
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
          expected: `a readable public key file (${file}: ${reason}); make one with ssh-keygen (see README)`,
        },
      };
    }
  } else {
    text = source.text;
  }
  const parsed = parsePublicKey(text);
  if ("key" in parsed) return parsed;
  return {
    problem: { field, value: looksPrivate(value) ? "(a private key, redacted)" : value, expected: parsed.problem },
  };
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
