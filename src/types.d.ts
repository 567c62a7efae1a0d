// Text modules (wrangler.toml [[rules]] type = "Text"): the docs UI is bundled into the Worker.
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const text: string;
  export default text;
}
declare module 'swagger-ui-dist/swagger-ui.css' {
  const text: string;
  export default text;
}
