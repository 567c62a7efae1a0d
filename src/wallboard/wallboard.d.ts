// wallboard.js is a browser script, bundled into the Worker as a text module (wrangler.toml [[rules]] type = "Text"):
// to the Worker, importing it yields its source. This declaration takes precedence over the .js file for TypeScript,
// which would otherwise read the script itself as the module. The script is checked on its own (tsconfig.json here).
declare const source: string;
export default source;
