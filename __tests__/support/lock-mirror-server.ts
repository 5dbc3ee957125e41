// Runs serveLockMirror as its own process (so it can run inside the consumer test's network namespace):
//   node --import tsx lock-mirror-server.ts <package-lock.json> <npm cache> <port>
import { readFileSync } from "node:fs";
import { serveLockMirror } from "./lock-mirror";

const [lockfile, cache, port] = process.argv.slice(2);
const server = serveLockMirror(JSON.parse(readFileSync(lockfile, "utf8")).packages, cache, Number(port));
server.on("listening", () => process.stdout.write(`listening on 127.0.0.1:${port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
