/**
 * The base without consul-template, for services with no template to render:
 * the same layers but that one, so it adds only a config and a manifest.
 */

/** The part a service with no consul-template template does without. */
export const CONSUL_TEMPLATE_PART = 'consul-template';
/** The variant's name, in the base's record and in its tags. */
export const SLIM = 'slim';

/** The slim variant's tag for each tag of the base: `:latest` is `:slim`, `:0.1.0` is `:0.1.0-slim`. */
export function slimTags(tags: readonly string[]): string[] {
  return tags.map((tag) => {
    const at = tag.lastIndexOf(':');
    const [repo, name] = at > tag.lastIndexOf('/') ? [tag.slice(0, at), tag.slice(at + 1)] : [tag, 'latest'];
    return `${repo}:${name === 'latest' ? SLIM : `${name}-${SLIM}`}`;
  });
}
