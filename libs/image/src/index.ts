// The image library: build contexts as deterministic tars, builds through the
// Docker Engine API, layer sizes and build records. Knows nothing of what the
// images hold.
export * from './build';
export * from './context';
export * from './engine';
export * from './layers';
export * from './record';
