/** The 2015 article's figures ("Micro Docker Images for Go Microservices"), what microbox measures itself against. */
export const ARTICLE_MB = {
  ubuntu: 187.9,
  alpine: 5.24,
  basebox: 15.82,
  /** The article's base box less its consul-template: Alpine and s6. */
  aroundConsulTemplate: 5.8,
  service: 30,
} as const;

export interface SizeRow {
  image: string;
  mb: number;
  article?: string;
}

export function sizeTable(rows: SizeRow[]): string[] {
  const width = Math.max(...rows.map((r) => r.image.length), 'image'.length);
  return [
    `${'image'.padEnd(width)}  ${'size'.padStart(9)}  the article`,
    ...rows.map((r) => `${r.image.padEnd(width)}  ${`${r.mb.toFixed(2)} MB`.padStart(9)}  ${r.article ?? ''}`),
  ];
}
