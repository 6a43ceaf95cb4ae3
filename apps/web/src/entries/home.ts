import HomePage from '../components/home-page.svelte';
import { mountPage } from './mount.ts';

mountPage('home-app', HomePage);
