/** Shared Prettier settings for every package. */
export default {
  printWidth: 110,
  singleQuote: true,
  trailingComma: 'all',
};
