// attach(): bad input is refused with an error that names it, and leaves
// nothing registered.
import assert from "node:assert/strict";
import { attach } from "../../mod.ts";
import { test } from "../_harness.ts";
import { withController } from "./_fake.ts";

test("attach: something that is not a worker is a TypeError saying what it got", async () => {
  await withController({}, async ({ controller, runtime }) => {
    for (const value of [null, 42, "worker", {}, { postMessage: 1 }]) {
      assert.throws(
        () => attach(value as never, { controller }),
        (error) =>
          error instanceof TypeError &&
          /worker must be a Web Worker, a node:worker_threads Worker or a pool with `threads`, got/
            .test(error.message),
        String(value),
      );
    }
    assert.throws(
      () => attach({} as never, { controller, name: 7 as never }),
      (error) => error instanceof TypeError && /name must be a string, got 7/.test(error.message),
    );
    assert.throws(
      () => attach({} as never, { controller, nmae: "x" } as never),
      (error) => error instanceof TypeError && /unknown option "nmae"/.test(error.message),
    );
    assert.throws(
      () => attach({} as never, { controller: {} as never }),
      (error) =>
        error instanceof TypeError && /controller must be a ShutdownController/.test(error.message),
    );
    // Nothing was registered: the shutdown has no step.
    controller.request();
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps, []);
  });
});

test("attach: the TypeError says what the value lacks, with the right article", async () => {
  await withController({}, ({ controller }) => {
    const message = (value: unknown): string => {
      try {
        attach(value as never, { controller });
      } catch (error) {
        assert.ok(error instanceof TypeError);
        return error.message;
      }
      throw new Error("attach() took it");
    };
    const { port1, port2 } = new MessageChannel();
    try {
      // A MessagePort has postMessage: only terminate is missing.
      assert.match(message(port1), /got a MessagePort without terminate$/);
      class EventEmitter {
        on(): void {}
      }
      assert.match(
        message(new EventEmitter()),
        /got an EventEmitter without postMessage or terminate$/,
      );
      assert.match(message({}), /got an object without postMessage or terminate$/);
      assert.match(message(42), /got 42$/);
      // Both methods, but neither kind of worker.
      const neither = { postMessage() {}, terminate() {} };
      assert.match(
        message(neither),
        /got an object with neither a threadId and on\(\) \(worker_threads\) nor addEventListener\(\) \(Web Worker\)$/,
      );
    } finally {
      port1.close();
      port2.close();
    }
  });
});
