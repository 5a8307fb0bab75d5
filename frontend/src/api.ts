// The Go side, through the generated bindings only (the same calls work in
// the Wails window and, through bridge.ts, in a browser).
export * from '../wailsjs/go/app/App';
export { app } from '../wailsjs/go/models';
