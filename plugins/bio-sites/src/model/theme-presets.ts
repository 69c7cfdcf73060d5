/**
 * The built-in themes and fonts: plain data (no imports), shared by the server (model/theme.ts) and the console's
 * page editor (web/parts/editor-theme.tsx), which shows the presets as swatches.
 */
export const themePresets = {
  light: { background: '#ffffff', text: '#1f2937', accent: '#2563eb' },
  dark: { background: '#111827', text: '#f9fafb', accent: '#60a5fa' },
  sunset: { background: '#fff7ed', text: '#431407', accent: '#c2410c' },
  forest: { background: '#f0fdf4', text: '#14532d', accent: '#15803d' },
  ocean: { background: '#0c4a6e', text: '#f0f9ff', accent: '#38bdf8' },
} as const;

/** Font stacks of the built-in fonts: system fonts only, so a page loads no font files. */
export const fontStacks = {
  system: 'system-ui,-apple-system,"Segoe UI",Roboto,sans-serif',
  serif: 'Georgia,"Times New Roman",serif',
  mono: 'ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace',
  rounded: 'ui-rounded,"SF Pro Rounded","Nunito",system-ui,sans-serif',
} as const;
