// A gRPC proxy between one terraform command and a borrowed AWS provider process (terraform-reattach.js) that answers
// the provider's schema with only the resource and data source types the command's configuration and state name.
// Terraform decodes the whole schema (about 1,500 resource and 600 data source types) in every command: 1.3-1.5 s of
// CPU, most of what an offline plan or show of a small stack costs, whatever the stack. Given the types it uses, it
// decodes a few dozen. A type the filter missed is not silently different: terraform refuses the config, naming the
// type the provider "does not support".
//
// Everything but the schema passes through unchanged, as HTTP/2 streams (gRPC needs no more). The provider's whole
// answer is kept in a file beside the provider process, so a later command asks the provider for it no more.
//
// Plain CommonJS, no dependencies: it runs under node in the launcher, outside jest.
"use strict";
const fs = require("node:fs");
const http2 = require("node:http2");
const net = require("node:net");
const { join } = require("node:path");

/** tfplugin5's schema call, and the fields of its answer that are maps keyed by type name. */
const GET_SCHEMA = "/tfplugin5.Provider/GetSchema";
const TYPE_MAPS = new Set([2, 3]); // resource_schemas, data_source_schemas
const TYPE_NAME = /\baws_[a-z0-9_]+\b/g;
const CONNECTION_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "host"]);

/**
 * The text of the files Terraform reads in `dir`: `config`, its own config files, those of the modules init installed
 * and those of local modules (init lists them with their dirs, where they stay); `state`, its state files.
 */
function terraformFiles(dir) {
  const config = [];
  const state = [];
  const walk = (folder, deep) => {
    let entries;
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true, recursive: deep });
    } catch {
      return;
    }
    for (const e of entries) {
      const kind = !e.isFile()
        ? undefined
        : /\.tf(\.json)?$/.test(e.name)
          ? config
          : /\.tfstate$/.test(e.name)
            ? state
            : undefined;
      kind?.push(fs.readFileSync(join(e.parentPath ?? folder, e.name), "utf8"));
    }
  };
  walk(dir, false);
  walk(join(dir, ".terraform", "modules"), true);
  try {
    const manifest = JSON.parse(fs.readFileSync(join(dir, ".terraform", "modules", "modules.json"), "utf8"));
    for (const m of manifest.Modules ?? [])
      if (m.Dir && m.Dir !== "." && !m.Dir.startsWith(".terraform")) walk(join(dir, m.Dir), false);
  } catch {
    // no modules
  }
  return { config, state };
}

/** Every `aws_*` word in `texts` (the files Terraform reads): the AWS types they may name. */
function typesNamedIn(texts) {
  return new Set(texts.flatMap((text) => [...text.matchAll(TYPE_NAME)].map((m) => m[0])));
}

/** Reads a protobuf varint at `offset`: its value and the offset after it. */
function varint(buffer, offset) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buffer[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, offset];
    shift += 7;
  }
}

/** The top-level fields of a protobuf message, each with its number and raw bytes (tag included). */
function fields(message) {
  const out = [];
  let offset = 0;
  while (offset < message.length) {
    const start = offset;
    const [tag, afterTag] = varint(message, offset);
    const wireType = tag & 7;
    let end;
    let body;
    if (wireType === 2) {
      const [length, afterLength] = varint(message, afterTag);
      body = message.subarray(afterLength, afterLength + length);
      end = afterLength + length;
    } else if (wireType === 0) end = varint(message, afterTag)[1];
    else if (wireType === 1) end = afterTag + 8;
    else if (wireType === 5) end = afterTag + 4;
    else throw new Error(`protobuf wire type ${wireType} at ${start}`);
    out.push({ number: Math.floor(tag / 8), raw: message.subarray(start, end), body });
    offset = end;
  }
  return out;
}

/** GetProviderSchema's answer with only the map entries (resource and data source schemas) `keep` accepts. */
function filterSchema(message, keep) {
  const kept = fields(message).filter((f) => {
    if (!TYPE_MAPS.has(f.number)) return true;
    const key = fields(f.body).find((e) => e.number === 1);
    return key !== undefined && keep(key.body.toString("utf8"));
  });
  return Buffer.concat(kept.map((f) => f.raw));
}

/** One gRPC message in its frame (uncompressed). */
function frame(message) {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** The message in a gRPC body of exactly one uncompressed frame. */
function unframe(body) {
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5)
    throw new Error("not one uncompressed gRPC message");
  return body.subarray(5);
}

/**
 * Copies `from` into `to` and ends it. Not `pipe()`: that looks at process.stdout, and node then makes the stdout it
 * shares with terraform non-blocking, which cuts terraform's output off at a full pipe.
 */
function relay(from, to) {
  from.on("data", (chunk) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once("drain", () => from.resume());
    }
  });
  from.on("end", () => to.end());
}

const forwardable = (headers) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !CONNECTION_HEADERS.has(name)));

/**
 * Listens on `socket` (a unix socket path) and forwards every call to the provider at `upstream`; GetSchema is
 * answered from `cacheFile` (filled by the first call) with only the types in `names`. Resolves to a function that
 * stops the proxy.
 */
function startSchemaProxy({ socket, upstream, cacheFile, names }) {
  const client = http2.connect("http://provider", { createConnection: () => net.connect(upstream) });
  client.on("error", () => undefined);
  const sessions = new Set();
  const keep = (type) => names.has(type);

  const answerSchema = (stream, message) => {
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(frame(filterSchema(message, keep)));
  };

  const forward = (stream, headers) => {
    const schema = headers[":path"] === GET_SCHEMA;
    if (schema && fs.existsSync(cacheFile)) {
      stream.resume();
      answerSchema(stream, fs.readFileSync(cacheFile));
      return;
    }
    const call = client.request(forwardable(headers));
    call.on("error", (error) => stream.destroyed || stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR, error));
    stream.on("error", () => call.destroyed || call.close(http2.constants.NGHTTP2_CANCEL));
    relay(stream, call);
    let trailers = {};
    call.on("trailers", (t) => (trailers = forwardable(t)));
    call.on("response", (responseHeaders) => {
      // Terraform may hang up first (at its exit, on a stream it no longer reads).
      if (stream.destroyed || stream.closed) {
        if (!call.destroyed) call.close(http2.constants.NGHTTP2_CANCEL);
        return;
      }
      const head = forwardable(responseHeaders);
      if (head["grpc-status"] !== undefined) {
        // A trailers-only answer (an error): the status is in the headers.
        stream.respond(head, { endStream: true });
        call.resume();
        return;
      }
      if (schema && String(head[":status"]) === "200") {
        const chunks = [];
        call.on("data", (chunk) => chunks.push(chunk));
        call.on("end", () => {
          if (trailers["grpc-status"] !== "0") {
            stream.respond(head, { waitForTrailers: true });
            stream.on("wantTrailers", () => stream.sendTrailers(trailers));
            stream.end(Buffer.concat(chunks));
            return;
          }
          if (stream.destroyed || stream.closed) return;
          const message = unframe(Buffer.concat(chunks));
          const partial = `${cacheFile}.${process.pid}`;
          fs.writeFileSync(partial, message);
          fs.renameSync(partial, cacheFile);
          answerSchema(stream, message);
        });
        return;
      }
      stream.respond(head, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers(trailers));
      relay(call, stream);
    });
  };

  const server = http2.createServer();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => undefined);
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => undefined);
    try {
      forward(stream, headers);
    } catch (error) {
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      fs.writeSync(2, `schema proxy: ${error.message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(socket, () =>
      resolve(() => {
        for (const session of sessions) session.destroy();
        client.destroy();
        server.close();
      }),
    );
  });
}

module.exports = { filterSchema, startSchemaProxy, terraformFiles, typesNamedIn };
