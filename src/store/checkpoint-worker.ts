/**
 * The checkpoint thread (checkpointer.ts): a second connection to a store that copies the pages the main
 * thread's connection committed to the WAL into the database file, once for each batch it is told of.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What wal_checkpoint answers: frames in the WAL, and how many of them are in the database now. */
interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

const db = new Database((workerData as { path: string }).path, { fileMustExist: true });
let runs = 0;
let maxLog = 0;
parentPort!.on('message', (m: 'checkpoint' | 'close') => {
  if (m === 'close') {
    db.close();
    parentPort!.postMessage({ runs, maxLog });
    return;
  }
  // PASSIVE: never waits for the writer or a reader; what it cannot copy now, the next request copies.
  const r = (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[])[0]!;
  runs++;
  if (r.log > maxLog) maxLog = r.log;
});
