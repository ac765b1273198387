export * from './build';
export * from './cgo';
export * from './check';
export * from './go';
export * from './gomod';
export * from './imports';
export * from './version';
