import AssignmentPage from '../components/assignment-page.svelte';
import { mountPage } from './mount.ts';

mountPage('assignment-app', AssignmentPage);
