import { Icon } from './icons';
import { pluginText } from './plugin-text';
import { screenPath, type ScreenLink } from './screen-links';
import { tenantPath, useTenant } from './session';

/** Buttons opening plugins' own screens for the page of `apiPath` (the primary one stands out). */
export function ScreenButtons({ links, apiPath }: { links: ScreenLink[]; apiPath: string }) {
  const tenant = useTenant();
  return (
    <>
      {links.map((link) => (
        <a
          key={`${link.plugin}:${link.screen.element}`}
          class={link.screen.primary ? 'button' : 'button secondary'}
          href={tenantPath(tenant.slug, screenPath(link, apiPath))}
        >
          <Icon name={link.screen.icon ?? 'layers'} /> {pluginText(link.plugin, link.screen.label)}
        </a>
      ))}
    </>
  );
}
