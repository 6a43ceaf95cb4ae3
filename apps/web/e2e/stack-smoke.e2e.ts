import { apiRoutes, type HealthResponse } from '@koodi/contracts';
import { expect, test } from '@playwright/test';

// The first thing a newcomer checks after `npm start`: the page loads through NGINX and the
// API behind it reaches PostgreSQL and Redis.
test.describe('the stack', () => {
  test('serves the home page through NGINX', async ({ page }) => {
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    await expect(page).toHaveTitle(/Koodi/);
    await expect(page.getByRole('list', { name: 'Assignments' })).toBeVisible();
  });

  test('reports PostgreSQL and Redis up at /api/health', async ({ page }) => {
    await page.goto('/');
    const health = await page.evaluate(async (path) => {
      const response = await fetch(path);
      return { status: response.status, body: (await response.json()) as HealthResponse };
    }, apiRoutes.health());
    expect(health).toEqual({
      status: 200,
      body: { status: 'ok', checks: { postgres: 'up', redis: 'up' } },
    });
  });
});
