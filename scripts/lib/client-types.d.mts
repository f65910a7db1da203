/** The `paths`, `components` and `operations` types of `document` as one module's text. */
export function clientTypes(document: object): Promise<string>;
