import { createHash } from 'node:crypto';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** An OCI content descriptor: what a manifest or index points at. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The hex part of a sha256 digest, refusing anything else by name (it becomes a file name). */
export function digestHex(digest: string): string {
  if (!DIGEST.test(digest)) throw new Error(`"${digest}" is not a sha256 digest: expected "sha256:" and 64 lowercase hex digits`);
  return digest.slice('sha256:'.length);
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** "linux/amd64" or "linux/arm/v7": how platforms are named in messages and by Docker. */
export function platformName(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
