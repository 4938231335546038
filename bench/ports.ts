import net from "node:net";

/** Ports for socket tests: the 17xxx range with a random offset, so parallel runs of other suites do not clash. */
let next = 17000 + Math.floor(Math.random() * 900) * 2;

export function freePortPair(): [number, number] {
  const pair: [number, number] = [next, next + 1];
  next += 2;
  return pair;
}

/** A port the OS says is free on loopback right now (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
