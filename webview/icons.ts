/** 16×16 outline icons drawn with SVG paths (no icon font, no network). */
import { s } from './dom';

const PATHS = {
  stop: 'M4 4h8v8H4z',
  play: 'M5 3.5v9l7-4.5z',
  file: 'M4 1.5h5l3 3v10H4zM9 1.5v3h3',
  compare: 'M2.5 2.5h4.5v11H2.5zM9 2.5h4.5v11H9zM7 8h2',
  first: 'M4 3.5v9M12 3.5 6.5 8l5.5 4.5z',
  prev: 'M10.5 3.5 5.5 8l5 4.5',
  next: 'M5.5 3.5 10.5 8l-5 4.5',
  live: 'M3 3.5v9l5.5-4.5zM9.5 3.5v9M12.5 3.5v9',
  close: 'M4 4l8 8M12 4l-8 8',
  insert: 'M8 3v10M3 8h10',
  remove: 'M3 8h10',
  resize: 'M2 8h12M2 8l3-3M2 8l3 3M14 8l-3-3M14 8l-3 3',
  skip: 'M8 3v10M5 10l3 3 3-3',
  export: 'M8 10V2M5 5l3-3 3 3M3 9v4.5h10V9',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, className = 'icon'): SVGSVGElement {
  return s('svg', {
    className,
    attrs: { viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' },
    children: [s('path', { attrs: { d: PATHS[name] } })],
  });
}
