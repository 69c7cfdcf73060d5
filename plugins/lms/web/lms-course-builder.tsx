import { defineScreen } from '../../../web-kit/elements';
import { CourseBuilder } from './parts/builder-screen';

defineScreen('lms-course-builder', CourseBuilder);
