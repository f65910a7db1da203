/** DI tokens of the page's server side, bound in `ui.parts.ts`. */

/** The page's UiSettings (ui.settings.ts), made from the config. */
export const UI_SETTINGS = Symbol('UI_SETTINGS');
/** The InternalHttp client (internal-http.ts) the page's poller and development controls read the services through. */
export const INTERNAL_HTTP = Symbol('INTERNAL_HTTP');
