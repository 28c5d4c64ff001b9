// Worker thread for dataHashOfTextAsync: receives JSON as transferred UTF-8 chunks (or, rarely, a string)
// and replies with its data_hash. Parsed objects never cross the thread boundary.

import { parentPort } from 'node:worker_threads';
import { dataHashOfText, decodeUtf8Strict, JsonParseError, type WorkerJob, type WorkerReply } from './json-hash.js';

if (parentPort === null) throw new Error('json-hash-worker must run as a worker thread');
const port = parentPort;

port.on('message', (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    reply = { ok: true, hash: dataHashOfText(job.text ?? decodeUtf8Strict(job.chunks)) };
  } catch (err) {
    reply =
      err instanceof JsonParseError
        ? { ok: false, message: err.message, code: err.code, reason: err.reason, position: err.position }
        : { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
