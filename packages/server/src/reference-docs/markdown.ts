/** Text as one markdown table cell: pipes would split it and `<…>` would be read as HTML. */
export const cell = (text: string): string =>
  text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
