// Which language the console speaks: the user's choice (kept in localStorage), else the
// browser's preference, else English. Components read messages through useT().
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { de } from './de.ts';
import { en, type Messages } from './en.ts';

/** The languages of the console, by BCP 47 tag. */
export const languages = { en: { name: 'English', messages: en }, de: { name: 'Deutsch', messages: de } } as const;
export type Language = keyof typeof languages;

const storageKey = 'custos.language';

const isLanguage = (tag: string | null | undefined): tag is Language => tag === 'en' || tag === 'de';

/** The language to start with. */
export function initialLanguage(): Language {
  const stored = localStorage.getItem(storageKey);
  if (isLanguage(stored)) return stored;
  for (const tag of navigator.languages) {
    const base = tag.slice(0, 2).toLowerCase();
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** Remembers the choice and sets the document's language (screen readers, hyphenation). */
export function applyLanguage(lang: Language): void {
  localStorage.setItem(storageKey, lang);
  document.documentElement.lang = lang;
}

/** The messages of the current language. */
export const I18n = createContext<{ m: Messages; lang: Language; setLang: (l: Language) => void }>({ m: en, lang: 'en', setLang: () => undefined });

/** The current language's messages, and how to change the language. */
export const useI18n = () => useContext(I18n);
