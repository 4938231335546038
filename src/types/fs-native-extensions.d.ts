/** The part of fs-native-extensions leadlag uses (the package ships no types). */
declare module "fs-native-extensions" {
  /** Takes an open-file-description lock (Linux `F_OFD_SETLK`): true if granted, false if another holds it. */
  export function tryLock(fd: number, offset?: number, length?: number, opts?: { shared?: boolean }): boolean;
  export function unlock(fd: number, offset?: number, length?: number): void;
}
