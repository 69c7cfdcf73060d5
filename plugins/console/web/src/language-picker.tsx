import { useId } from 'preact/hooks';
import { currentLanguage, defineMessages, languages, setLanguage, storeLanguage, type Language } from './i18n';

const t = defineMessages({
  en: { language: 'Language' },
  ar: { language: 'اللغة' },
});

/** The console's languages as `<option>`s, each named in its own language (and marked with it, for screen readers). */
export function LanguageOptions() {
  return (
    <>
      {languages.map(({ code, name }) => (
        <option key={code} value={code} lang={code}>
          {name}
        </option>
      ))}
    </>
  );
}

/**
 * The signed-out pages' language picker: the choice applies at once and is remembered on this browser; on signing
 * in it becomes the user's own if they have not chosen one (see `App`).
 */
export function SignedOutLanguagePicker() {
  const id = useId();
  return (
    <div class="language-picker">
      <label for={id}>{t('language')}</label>
      <select
        id={id}
        value={currentLanguage()}
        onChange={(event) => {
          const choice = (event.currentTarget as HTMLSelectElement).value as Language;
          storeLanguage(choice);
          setLanguage(choice);
        }}
      >
        <LanguageOptions />
      </select>
    </div>
  );
}
