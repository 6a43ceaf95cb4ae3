import { mount } from 'svelte';
import type { Component } from 'svelte';
import PointsBadge from '../components/points-badge.svelte';

/** Replaces a page's static placeholder with its island, and fills the points slot of the top navigation. */
export function mountPage(targetId: string, page: Component): void {
  const target = document.getElementById(targetId);
  const points = document.getElementById('points');
  if (points) mount(PointsBadge, { target: points });
  if (!target) return;
  target.replaceChildren();
  mount(page, { target });
}
