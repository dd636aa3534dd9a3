// Placeholder until the orchestration lands: runs the api in watch mode.
import { spawn } from "node:child_process";
const child = spawn("pnpm", ["--filter", "@bridge/api", "dev"], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
