// The audit chainer thread's entry. A worker does not inherit the TypeScript loader bin/odx.js
// registers, so it registers tsx itself, as bin/odx.js does, before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./chain-worker.ts');
