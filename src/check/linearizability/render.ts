// Renderers for a linearizability failure: plain-text timeline and standalone HTML page.
export { renderFailureText } from './render-text.ts';
export type { TextRenderOptions } from './render-text.ts';
export { renderFailureHtml } from './render-html.ts';
export type { HtmlRenderOptions } from './render-html.ts';
export { layoutFailure } from './render-layout.ts';
export type { Lane, LayoutOptions, TimelineLayout, TimelineOp } from './render-layout.ts';
