// Publishers: where a built image goes after the build. Through the daemon
// to a registry for now; a new destination is one new file beside these.
export * from './docker-config';
export * from './push';
export * from './reference';
