import { freePort } from "../../fixtures/ports.js";

/** `n` distinct ports the OS says are free on loopback now (the OS may hand out a just-closed one twice). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < n; tries++) {
    if (tries > n * 20) throw new Error(`could not find ${n} distinct free ports`);
    ports.add(await freePort());
  }
  return [...ports];
}
