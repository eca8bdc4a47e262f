// The API documentation page: Swagger UI (vendored under /vendor/swagger-ui) on the service's
// own OpenAPI document. A separate file, since the security policy refuses inline scripts.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: false, // its links sit inside the operation buttons (nested controls, axe)
  validatorUrl: null, // the online validator badge would load from the internet
  presets: [SwaggerUIBundle.presets.apis],
});
