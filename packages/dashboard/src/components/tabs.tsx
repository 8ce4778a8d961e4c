import type { ComponentChildren, JSX } from 'preact';

/** How a tab was chosen: a keyboard move may want to replace history rather than push it. */
export type TabVia = 'pointer' | 'keyboard';

/** Which tab an arrow, Home or End key moves to from `index` of `count`, wrapping; null for other keys. */
function tabMove(key: string, index: number, count: number): number | null {
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/**
 * The WAI-ARIA Authoring Practices tabs pattern with automatic activation
 * (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): one tab stop (roving tabindex on the selected tab),
 * ArrowLeft/ArrowRight with wrap-around and Home/End move focus and select, and one tabpanel labelled by
 * the selected tab. `aside` sits in the tab row but outside the tablist, which may own only tabs.
 */
export function Tabs<K extends string>(props: {
  /** Prefix of the element ids: `${id}-tab-${key}` and `${id}-panel`. */
  id: string;
  label: string;
  keys: readonly K[];
  selected: K;
  onSelect: (key: K, via: TabVia) => void;
  tab: (key: K) => ComponentChildren;
  aside?: ComponentChildren;
  panelClass?: string;
  children: ComponentChildren;
}) {
  const { id, keys, selected, onSelect } = props;
  const tabId = (key: K) => `${id}-tab-${key}`;
  const panelId = `${id}-panel`;

  const onKeyDown = (event: JSX.TargetedKeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return; // Alt+Left is "back"
    const tabs = [...event.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]')];
    const from = tabs.indexOf(event.target as HTMLElement);
    const to = from < 0 ? null : tabMove(event.key, from, tabs.length);
    const key = to === null ? undefined : keys[to];
    if (to === null || key === undefined) return;
    event.preventDefault();
    tabs[to]?.focus();
    if (key !== selected) onSelect(key, 'keyboard');
  };

  return (
    <>
      <div class="tabs">
        <div class="tablist" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
          {keys.map((key) => (
            <button
              key={key}
              type="button"
              role="tab"
              id={tabId(key)}
              aria-selected={key === selected}
              aria-controls={panelId}
              tabIndex={key === selected ? 0 : -1}
              class={key === selected ? 'active' : ''}
              onClick={() => key !== selected && onSelect(key, 'pointer')}
            >
              {props.tab(key)}
            </button>
          ))}
        </div>
        {props.aside}
      </div>
      <div
        class={props.panelClass}
        role="tabpanel"
        id={panelId}
        aria-labelledby={tabId(selected)}
        tabIndex={0}
      >
        {props.children}
      </div>
    </>
  );
}
