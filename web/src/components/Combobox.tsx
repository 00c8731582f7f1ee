import { useId, useState, type KeyboardEvent } from "react";
import { formatNumber } from "../lib/format";
import { useSuggestions, type Suggestion, type ValueSource } from "../lib/suggestions";

interface Props {
  value: string;
  /** Every change of the typed text. */
  onChange: (text: string) => void;
  /** A suggestion chosen (Enter on the highlighted one, or a click). */
  onPick: (value: string) => void;
  /** Where the suggestions come from (asked only while the input has the focus). */
  source: ValueSource;
  /** Values not to suggest (those already chosen). */
  exclude?: (string | number)[];
  label: string;
  className?: string;
  placeholder?: string;
  /** Keys the combobox does not handle itself (Enter with no suggestion highlighted...). */
  onKeyDown?: (e: KeyboardEvent<HTMLInputElement>) => void;
  onBlur?: () => void;
}

/**
 * A text input with a list of suggestions (the ARIA combobox pattern): ↓ and ↑ move through
 * them, Enter takes the highlighted one, Escape closes the list; typing stays free text.
 */
export function Combobox({ value, onChange, onPick, source, exclude, label, className, placeholder, onKeyDown, onBlur }: Props) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const found = useSuggestions(source, value, open);
  const suggestions = exclude?.length ? found.filter((s) => !exclude.includes(s.value)) : found;
  const [active, setActive] = useState(-1);
  const shown = open && suggestions.length > 0;
  const pick = (v: string) => {
    onPick(v);
    setOpen(false);
    setActive(-1);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!shown) {
        setOpen(true);
        setActive(e.key === "ArrowDown" ? 0 : suggestions.length - 1);
        return;
      }
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (a + step + suggestions.length) % suggestions.length);
      return;
    }
    if (e.key === "Enter" && shown && active >= 0 && active < suggestions.length) {
      e.preventDefault();
      pick((suggestions[active] as Suggestion).value);
      return;
    }
    if (e.key === "Escape" && shown) {
      e.preventDefault();
      setOpen(false);
      setActive(-1);
      return;
    }
    onKeyDown?.(e);
  };
  return (
    <span className="combobox">
      <input
        className={className}
        type="text"
        role="combobox"
        aria-label={label}
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={`${id}-list`}
        aria-activedescendant={shown && active >= 0 ? `${id}-${active}` : undefined}
        placeholder={placeholder}
        value={value}
        autoComplete="off"
        onChange={(e) => {
          onChange(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          setOpen(false);
          setActive(-1);
          onBlur?.();
        }}
        onKeyDown={onKey}
      />
      <ul id={`${id}-list`} role="listbox" aria-label="Suggested values" className="combobox-list" hidden={!shown}>
        {shown &&
          suggestions.map((s, i) => (
            <li
              key={s.value}
              id={`${id}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : undefined}
              onMouseDown={(e) => {
                e.preventDefault(); // keep the focus in the input
                pick(s.value);
              }}
            >
              <span>{s.value}</span>
              <span className="muted small">{formatNumber(s.count)}</span>
            </li>
          ))}
      </ul>
    </span>
  );
}
