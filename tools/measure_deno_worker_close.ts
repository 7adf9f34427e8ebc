// Measures what a Deno parent can see of a Web Worker that closes itself
// (README, "Workers", "Open points"). Run: deno run -A tools/measure_deno_worker_close.ts
// Deno 2.9.6 prints: the messages posted before close() arrive; nothing
// posted or scheduled after it does; the parent gets no `error`, `close` or
// `messageerror` event, postMessage() to the closed worker does not throw,
// and the Worker object shows no state (its status is a private field).
const code = `
  const channel = new BroadcastChannel("measure");
  channel.postMessage("broadcast before close()");
  self.postMessage("posted before close()");
  setTimeout(() => self.postMessage("timer after close() ran"), 0);
  queueMicrotask(() => self.postMessage("microtask after close() ran"));
  self.close();
  self.postMessage("posted after close()");
`;
const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
const channel = new BroadcastChannel("measure");
channel.onmessage = (event) => console.log("parent's channel got:", event.data);
const worker = new Worker(url, { type: "module" });
worker.onmessage = (event) => console.log("parent got:", event.data);
for (const type of ["error", "close", "messageerror"]) {
  worker.addEventListener(type, (event) => {
    event.preventDefault();
    console.log(`parent got a "${type}" event`);
  });
}
setTimeout(() => {
  try {
    worker.postMessage("ping");
    console.log("postMessage() to the closed worker: no throw");
  } catch (error) {
    console.log("postMessage() to the closed worker threw:", error);
  }
  console.log("the Worker object:", Deno.inspect(worker, { showHidden: true }));
  channel.close();
}, 500);
