// The baseline for the ingest benchmark: a bare Express 5 route that parses the same JSON body
// (express.json(), the stock parser) and answers the seed's shape, storing and logging nothing.
import { randomUUID } from "node:crypto";
import express from "express";

const app = express();
app.use(express.json({ limit: "1mb" }));
app.post("/core/update", (req, res) => {
  const body = req.body as { module?: string; session_id?: string };
  res.json({
    status: "success",
    timestamp: new Date().toISOString(),
    session_id: body.session_id ?? randomUUID(),
    message: `Data received and logged for module ${body.module}`,
    event_id: randomUUID(),
  });
});
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const addr = server.address();
  process.stdout.write(`READY http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
