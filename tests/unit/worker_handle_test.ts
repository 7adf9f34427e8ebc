// The worker handle's handshake filter: a handshake still on its way when a
// pool terminates its thread (and the handle is released at once) never
// reaches a handler of the program's or the pool's.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { _filterWebWorkers, _workerHandle } from "../../src/workers/_worker_handle.ts";
import { _HANDSHAKE_KEY } from "../../src/workers/_attach_protocol.ts";
import { test } from "../_harness.ts";

class FakeNodeWorker extends EventEmitter {
  readonly threadId = 7;
  postMessage(): void {}
  terminate(): Promise<number> {
    return Promise.resolve(1);
  }
}

function handshake(): unknown {
  return { [_HANDSHAKE_KEY]: 1, port: { close() {} } };
}

test("worker handle: a handshake after the worker ended and was released stays out of the program's handlers", () => {
  const worker = new FakeNodeWorker();
  const seen: unknown[] = [];
  worker.on("message", (message) => seen.push(message));
  let handshakes = 0;
  const handle = _workerHandle(worker as never, "node", () => handshakes++, () => {});
  // The pool's own terminate(): the handle learns of the end and is released.
  void worker.terminate();
  handle.release();
  worker.emit("message", handshake());
  worker.emit("message", "task result");
  assert.deepEqual(seen, ["task result"]);
  assert.equal(handshakes, 1);
});

test("worker handle: released while the worker lives, the worker is as it was", () => {
  const worker = new FakeNodeWorker();
  const emit = worker.emit;
  const handle = _workerHandle(worker as never, "node", () => {}, () => {});
  assert.notEqual(worker.emit, emit);
  handle.release();
  assert.equal(worker.emit, emit);
  assert.equal(Object.hasOwn(worker, "terminate"), false);
});

// Where Web Workers exist (Deno, Bun): one filter for the thread, whatever the worker.
const WebWorker = (globalThis as { Worker?: { prototype: object } }).Worker;
test("worker handle: a Web Worker nobody attached never shows the library's handshake", () => {
  // An EventTarget dressed as a Worker: the filter sits on Worker.prototype.
  const worker = Object.setPrototypeOf(new EventTarget(), WebWorker!.prototype) as EventTarget;
  const seen: unknown[] = [];
  worker.addEventListener("message", (event) => seen.push((event as MessageEvent).data));
  _filterWebWorkers();
  const dispatch = worker.dispatchEvent;
  _filterWebWorkers(); // a second copy of the library, or a second attach(): no second filter
  assert.equal(worker.dispatchEvent, dispatch);
  let closed = 0;
  const data = { [_HANDSHAKE_KEY]: 1, port: { close: () => closed++ } };
  worker.dispatchEvent(new MessageEvent("message", { data }));
  worker.dispatchEvent(new MessageEvent("message", { data: "the program's" }));
  assert.deepEqual(seen, ["the program's"]);
  // Its port is closed: the worker is connected to no one and holds nothing.
  assert.equal(closed, 1);
}, { skip: WebWorker === undefined ? "no Web Workers here" : false });
