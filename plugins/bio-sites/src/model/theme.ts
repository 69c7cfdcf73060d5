import { Type, Widget, type Static } from '@plinth/sdk';
import { fontStacks, themePresets } from './theme-presets.js';

const presets = themePresets;
export { fontStacks };

const HexColor = (title: string) =>
  Widget(Type.String({ pattern: '^#[0-9a-fA-F]{6}$', title, description: "A colour as #rrggbb; the preset's when empty" }), 'color');

/** A site's theme: a built-in preset, optionally with its colours and font overridden. */
export const Theme = Type.Object(
  {
    preset: Type.Union(
      Object.keys(presets).map((name) => Type.Literal(name)),
      { default: 'light', title: 'Preset', description: 'The colours to start from' },
    ),
    background: Type.Optional(HexColor('Background colour')),
    text: Type.Optional(HexColor('Text colour')),
    accent: Type.Optional(HexColor('Accent colour')),
    font: Type.Union(
      Object.keys(fontStacks).map((name) => Type.Literal(name)),
      { default: 'system', title: 'Font' },
    ),
  },
  { additionalProperties: false, title: 'Theme' },
);
export type Theme = Static<typeof Theme>;

/** A theme with every colour decided. */
export interface ResolvedTheme {
  background: string;
  text: string;
  accent: string;
  /** Black or white, whichever reads better on the accent colour. */
  onAccent: string;
  font: string;
}

/** The preset's colours with the site's overrides applied. */
export function resolveTheme(theme: Partial<Theme>): ResolvedTheme {
  const preset = presets[(theme.preset ?? 'light') as keyof typeof presets] ?? presets.light;
  const accent = (theme.accent ?? preset.accent).toLowerCase();
  return {
    background: (theme.background ?? preset.background).toLowerCase(),
    text: (theme.text ?? preset.text).toLowerCase(),
    accent,
    onAccent: contrastRatio(accent, '#000000') >= contrastRatio(accent, '#ffffff') ? '#000000' : '#ffffff',
    font: fontStacks[(theme.font ?? 'system') as keyof typeof fontStacks] ?? fontStacks.system,
  };
}

/** The WCAG 2 contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Field errors of a theme whose text would be hard to read (WCAG AA asks 4.5:1 for body text). */
export function themeErrors(theme: Partial<Theme>): Record<string, string[]> {
  const resolved = resolveTheme(theme);
  const ratio = contrastRatio(resolved.text, resolved.background);
  return ratio < 4.5 ? { 'theme.text': [`must contrast with the background at least 4.5:1 (is ${ratio.toFixed(2)}:1)`] } : {};
}
