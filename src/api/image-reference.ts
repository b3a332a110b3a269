// Just enough of the distribution/reference grammar to answer the one question defaulting asks:
// which tag does this image use? (An image without tag or digest means ":latest".)

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const NAME_TOTAL_LENGTH_MAX = 255;

export interface ImageReference {
  readonly name: string;
  readonly tag: string; // "latest" when neither tag nor digest is given
  readonly digest: string;
}

/** parsers.ParseImageName; undefined where Go returns an error (e.g. uppercase repository). */
export function parseImageReference(image: string): ImageReference | undefined {
  const m = REFERENCE.exec(image);
  if (m === null || m[1].length > NAME_TOTAL_LENGTH_MAX) return undefined;
  const tag = m[2] ?? '';
  const digest = m[3] ?? '';
  return { name: m[1], tag: tag === '' && digest === '' ? 'latest' : tag, digest };
}
