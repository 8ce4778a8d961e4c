import { useEffect, useState } from 'preact/hooks';

/** Light or dark: the system's choice until the user toggles, then theirs (kept in localStorage). */
export function useTheme(): [string, () => void] {
  const media = matchMedia('(prefers-color-scheme: dark)');
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem('pulse.theme'));
  const [system, setSystem] = useState(media.matches ? 'dark' : 'light');
  useEffect(() => {
    const update = () => setSystem(media.matches ? 'dark' : 'light');
    media.addEventListener('change', update);
    return () => media.removeEventListener('change', update);
  }, []);
  const theme = chosen ?? system;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('pulse.theme', next);
    setChosen(next);
  };
  return [theme, toggle];
}

/**
 * The theme the page is painted in (the root's data-theme), following each change once it is applied, so
 * whatever reads the theme's colours from CSS reads them after the switch and not before it.
 */
export function usePaintedTheme(): string | undefined {
  const root = document.documentElement;
  const [painted, setPainted] = useState(root.dataset.theme);
  useEffect(() => {
    const observer = new MutationObserver(() => setPainted(root.dataset.theme));
    observer.observe(root, { attributes: true, attributeFilter: ['data-theme'] });
    setPainted(root.dataset.theme);
    return () => observer.disconnect();
  }, []);
  return painted;
}
